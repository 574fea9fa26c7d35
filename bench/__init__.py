"""The fan-out benchmark (``make bench``): a lean WebSocket load generator, the scenario runners and
the report that writes ``docs/performance.md``. Not part of the app and not part of the test suite."""
