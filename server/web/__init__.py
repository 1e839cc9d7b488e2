"""HTTP wiring: routes, middleware, problem documents, OpenAPI."""
