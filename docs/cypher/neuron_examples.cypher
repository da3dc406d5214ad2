// Dataset example patches of a neuron, by rank (media paths are relative to the artifact's media/).
// :param model => 'my-run-id'
// :param neuron => 'mixed4d:12'
MATCH (m:Model {id: $model})
MATCH (n:Neuron {key: m.active_load + '|' + $neuron})-[:HAS_EXAMPLE]->(e:Example)
RETURN e.rank AS rank, e.image AS image, e.score AS score, e.media AS media
ORDER BY rank
