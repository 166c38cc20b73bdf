"""Register drivers (layer 3): transports, the common ``Register`` interface, one package per vendor."""
