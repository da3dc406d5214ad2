// Users' notes on a model's neurons and groups (kept across reloads of the model; written
// through GraphQL's setNote by users with write rights). GraphQL: Model.notes.
:param model => 'efficientnet_lite0-demo';

MATCH (n:Note {model: $model})
RETURN n.kind AS kind, n.target AS target, n.neurons AS neurons, n.text AS text, n.updated AS updated
ORDER BY kind, target;
