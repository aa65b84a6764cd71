"""Adapters: real data (OSM, vector files, GeoDataFrames) to the pipeline's arrays."""
