"""Powertools Metrics and Tracer of the API function (Logger lives in chalicelib.http)."""

from aws_lambda_powertools import Metrics, Tracer

metrics = Metrics(namespace="Ventanilla", service="api")
tracer = Tracer(service="api")
