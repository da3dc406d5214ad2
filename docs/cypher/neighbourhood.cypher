// Neighbourhood: influence edges of one class within 2 hops of a neuron (either direction).
// Change *1..2 for another number of hops (Cypher does not take it as a parameter).
// :param model => 'my-run-id'
// :param neuron => 'mixed4d:12'
// :param class => 0
MATCH (m:Model {id: $model})
MATCH (n:Neuron {key: m.active_load + '|' + $neuron})
MATCH p = (n)-[rels:INFLUENCES*1..2]-(:Neuron)
WHERE all(r IN rels WHERE r.class = $class)
UNWIND rels AS r
WITH DISTINCT r
RETURN startNode(r).id AS src, endNode(r).id AS dst, r.count AS weight
ORDER BY src, dst
