// K strongest paths (sum) of one class between two neurons (dst in a higher layer).
// :param model => 'my-run-id'
// :param src => 'mixed3a:5'
// :param dst => 'mixed4d:12'
// :param class => 0
// :param k => 5
MATCH (m:Model {id: $model})
MATCH (s:Neuron {key: m.active_load + '|' + $src}), (t:Neuron {key: m.active_load + '|' + $dst})
MATCH p = (s)-[rels:INFLUENCES*]->(t)
WHERE all(r IN rels WHERE r.class = $class)
WITH [x IN nodes(p) | x.id] AS neurons, [r IN rels | r.count] AS weights,
     reduce(total = 0, r IN rels | total + r.count) AS score
RETURN neurons, weights, score
ORDER BY score DESC, neurons
LIMIT $k
