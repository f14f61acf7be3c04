"""Adapters to AWS services other than the table (EventBridge, SES, SNS, Scheduler...)."""
