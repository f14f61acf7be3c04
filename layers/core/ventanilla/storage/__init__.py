"""The only modules that talk to DynamoDB."""
