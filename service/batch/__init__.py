"""A folder of thousands of reports into one dataset: discover, extract in parallel (resumable), check across
years, write the tables."""
