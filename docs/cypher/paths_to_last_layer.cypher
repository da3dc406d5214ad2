// K strongest paths (sum of influence counts) of one class from a neuron up to the last layer.
// Cypher enumerates every path, so this suits small graphs and short distances; the Summit
// server computes the same answer with dynamic programming over the class's edges.
// For the bottleneck score use: reduce(b = 9223372036854775807, r IN rels |
//   CASE WHEN r.count < b THEN r.count ELSE b END) AS score
// :param model => 'my-run-id'
// :param src => 'mixed4d:12'
// :param class => 0
// :param k => 5
MATCH (m:Model {id: $model})
MATCH (s:Neuron {key: m.active_load + '|' + $src})
MATCH (l:Layer {load: m.active_load})
WITH m, s, max(l.index) AS last
MATCH p = (s)-[rels:INFLUENCES*]->(t:Neuron)
WHERE t.layer_index = last AND all(r IN rels WHERE r.class = $class)
WITH [x IN nodes(p) | x.id] AS neurons, [r IN rels | r.count] AS weights,
     reduce(total = 0, r IN rels | total + r.count) AS score
RETURN neurons, weights, score
ORDER BY score DESC, neurons
LIMIT $k
