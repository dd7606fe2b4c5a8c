"""PostgreSQL: the cluster Atlas runs itself, migrations, row-level tenancy, repositories."""
