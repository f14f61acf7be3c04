"""Powertools Metrics of the API function, imported by the areas that emit a metric.

Chalice's app object is the Lambda handler, so instead of the ``log_metrics`` decorator the
app's HTTP middleware flushes the metrics after each request (app.py, through
:data:`chalicelib.loader.AFTER_REQUEST`), once an area using them is loaded."""

from chalicelib import loader
from ventanilla import emf

metrics = emf.metrics("api")  # namespace: POWERTOOLS_METRICS_NAMESPACE (template Globals)
loader.AFTER_REQUEST.append(metrics.flush_metrics)
