"""The context graph: entities, their relationships, the activities that connect them."""
