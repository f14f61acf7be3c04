"""Powertools Metrics and Tracer of the API function (Logger lives in chalicelib.http).

Chalice's app object is the Lambda handler, so instead of the ``log_metrics`` decorator the
app's HTTP middleware flushes the metrics after each request (app.py)."""

from aws_lambda_powertools import Metrics, Tracer

metrics = Metrics(service="api")  # namespace: POWERTOOLS_METRICS_NAMESPACE (template Globals)
tracer = Tracer(service="api")
