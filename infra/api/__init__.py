"""The REST API as API Gateway deploys it: one OpenAPI body generated from the Chalice routes."""
