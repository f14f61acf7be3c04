"""The manuals of operation (docs/manuals/*.md) as pages of the web (web/manuales/*.html), so the
console's help menu opens them; ``--check`` fails when the pages are out of step with the docs.

    python -m infra.manuals          # write web/manuales/
    python -m infra.manuals --check  # make lint: the committed pages match the docs
"""
