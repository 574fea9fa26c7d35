"""The real-time engine: event catalogue, log, brokers, hub, socket endpoint."""
