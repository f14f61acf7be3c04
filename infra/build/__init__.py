"""The Lambda artifacts: each function's folder and each layer, assembled from template.yaml for
arm64 / python3.12 without a container (``sam build`` calls :mod:`infra.build` through the Makefile)."""
