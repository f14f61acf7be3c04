"""Powertools Logger and Tracer of the API function (its Metrics live in chalicelib.metrics,
imported only by the areas that emit one)."""

from aws_lambda_powertools import Logger

from ventanilla.tracing import make_tracer

logger = Logger(service="api")
tracer = make_tracer("api")  # X-Ray only when the Tracing parameter turns it on
