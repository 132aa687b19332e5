"""Input formats: bytes as a scraper saved them -> the text the parsers read."""
