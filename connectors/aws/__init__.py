"""AWS collectors: one boto3 session per account, cached clients, adaptive retries."""
