"""What an operator needs to see of a running deployment (``atlas status``)."""
