"""Process maps computed over columnar arrays (numpy), equal to the reference computation."""
