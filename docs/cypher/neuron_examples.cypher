// Dataset example patches of a neuron, by rank (media paths are relative to the artifact's media/).
:param model => 'efficientnet_lite0-demo';
:param neuron => 'blocks.4.2:22';

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
MATCH (n:Neuron {load: load.id, id: $neuron})-[:HAS_EXAMPLE]->(e:Example)
RETURN e.rank AS rank, e.image AS image, e.score AS score, e.media AS media
ORDER BY rank;
