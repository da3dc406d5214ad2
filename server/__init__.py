"""Summit's GraphQL server: strawberry on starlette, talking only to the GraphStore protocol."""
