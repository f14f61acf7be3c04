"""The whole product on one machine: a moto server provisioned from template.yaml, the Chalice app,
the stream consumers the template wires, and the static web, in one process (``make dev``)."""
