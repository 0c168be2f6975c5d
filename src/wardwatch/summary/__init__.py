"""The one-page management summary (経営層向け): the Swiss-cheese layers with the holes found in any results given."""
