"""The map's layers, one kind per module: zones (and the thematic classes), parcels, density cells,
stations and universities, a firm's matching parcels, the highlighted feature."""
