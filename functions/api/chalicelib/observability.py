"""Powertools Metrics and Tracer of the API function (Logger lives in chalicelib.http).

Chalice's app object is the Lambda handler, so instead of the ``log_metrics`` decorator the
app's HTTP middleware flushes the metrics after each request (app.py)."""

from aws_lambda_powertools import Metrics

from ventanilla.tracing import make_tracer

metrics = Metrics(service="api")  # namespace: POWERTOOLS_METRICS_NAMESPACE (template Globals)
tracer = make_tracer("api")  # X-Ray only when the Tracing parameter turns it on
