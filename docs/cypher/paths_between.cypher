// K strongest paths (sum of influence counts) of one class between two neurons (dst in a higher
// layer), by the same layer-at-a-time dynamic programming as paths_to_last_layer.cypher.
:param model => 'efficientnet_lite0-demo';
:param src => 'blocks.2.1:15';
:param dst => 'blocks.6.0:163';
:param class => 323;
:param k => 5;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
MATCH (:Neuron {load: load.id, id: $src})<-[:OF_NEURON]-(s:InfluenceNode {class: $class})
MATCH (:Neuron {load: load.id, id: $dst})<-[:OF_NEURON]-(t:InfluenceNode {class: $class})
WITH s, t, reduce(steps = [[{node: s, score: 0}]], depth IN range(s.layer_index + 1, t.layer_index - 1) |
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
// the last step: the k best paths into dst
UNWIND range(0, size(steps[-1]) - 1) AS i
WITH s, t, steps, i, steps[-1][i] AS p
WITH s, t, steps, i, p, p.node AS a
MATCH (a)-[r:INFLUENCES]->(t)
WITH s, t, steps, i, r.count AS w, p.score + r.count AS score
ORDER BY score DESC, i
LIMIT $k
// walk each path back to the start
WITH s, score, reduce(path = {i: i, neurons: [t.neuron], weights: [w]}, d IN range(size(steps) - 1, 1, -1) |
  {i: steps[d][path.i].parent, neurons: [steps[d][path.i].node.neuron] + path.neurons,
   weights: [steps[d][path.i].w] + path.weights}) AS path
RETURN [s.neuron] + path.neurons AS neurons, path.weights AS weights, score
ORDER BY score DESC, neurons;
