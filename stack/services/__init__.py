"""The local stack's services, in start order."""
