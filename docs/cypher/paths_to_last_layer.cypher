// K strongest paths (sum of influence counts) of one class from a neuron up to the last layer.
// Dynamic programming a layer at a time, as the Summit server does: steps[d] keeps the k best
// paths into each neuron d layers above the start, each as {node, score, w: its last edge's
// count, parent: its prefix's index in steps[d - 1]}, sorted like the paths' neuron lists (so an
// index breaks ties between equal scores). It finishes in about a second from any neuron.
// Bottleneck score (the weakest edge) instead: start with score: 1000000000 and replace both
// p.score + r.count by CASE WHEN r.count < p.score THEN r.count ELSE p.score END.
:param model => 'efficientnet_lite0-demo';
:param src => 'blocks.4.2:22';
:param class => 323;
:param k => 5;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)-[:HAS_LAYER]->(layer:Layer)
WITH load, max(layer.index) AS last
MATCH (:Neuron {load: load.id, id: $src})<-[:OF_NEURON]-(s:InfluenceNode {class: $class})
WITH s, last, reduce(steps = [[{node: s, score: 0}]], depth IN range(s.layer_index + 1, last - 1) |
  steps + [COLLECT {
    WITH COLLECT {
      UNWIND range(0, size(steps[-1]) - 1) AS i
      WITH i, steps[-1][i] AS p
      WITH i, p, p.node AS a
      MATCH (a)-[r:INFLUENCES]->(b)
      WHERE b.layer_index = depth
      RETURN {node: b, score: p.score + r.count, w: r.count, parent: i} AS c
      ORDER BY elementId(b), c.score DESC, i
    } AS c
    UNWIND range(0, size(c) - 1) AS j
    WITH c[j] AS e
    WHERE j < $k OR c[j - $k].node <> e.node  // the k best into each neuron
    RETURN e
    ORDER BY e.parent, e.node.neuron
  }]) AS steps
// the last step: the k best of all paths into the last layer
UNWIND range(0, size(steps[-1]) - 1) AS i
WITH s, last, steps, i, steps[-1][i] AS p
WITH s, last, steps, i, p, p.node AS a
MATCH (a)-[r:INFLUENCES]->(b)
WHERE b.layer_index = last
WITH s, steps, i, b, r.count AS w, p.score + r.count AS score
ORDER BY score DESC, i, b.neuron
LIMIT $k
// walk each path back to the start
WITH s, score, reduce(path = {i: i, neurons: [b.neuron], weights: [w]}, d IN range(size(steps) - 1, 1, -1) |
  {i: steps[d][path.i].parent, neurons: [steps[d][path.i].node.neuron] + path.neurons,
   weights: [steps[d][path.i].w] + path.weights}) AS path
RETURN [s.neuron] + path.neurons AS neurons, path.weights AS weights, score
ORDER BY score DESC, neurons;
