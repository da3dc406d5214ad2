"""GraphQL object types, one per module, each built from a store record with ``from_record()``."""
