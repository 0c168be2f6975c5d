"""Medical ISAC scale: many hospitals' logs in one partitioned dataset, the same rules on DuckDB or Spark."""
