// The Pool library: MCP member processes, their lifecycle, the gateway, balancing strategies,
// health checks and the circuit breaker. It arrives with its own issue; until then this target
// holds no code.
