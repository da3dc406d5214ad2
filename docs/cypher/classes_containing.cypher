// Classes whose attribution graph contains a pinned subgraph: every neuron of $neurons and every
// edge of $edges ([src, dst] pairs; their ends count as neurons too), ranked by the neurons'
// summed PageRank in the class's graph. GraphQL: Model.classesContaining.
:param model => 'efficientnet_lite0-demo';
:param neurons => ['blocks.5.2:112'];
:param edges => [['blocks.5.1:112', 'blocks.5.2:112']];
:param limit => 50;

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
WITH load, reduce(ids = [], id IN $neurons + reduce(ends = [], e IN $edges | ends + e) |
                  CASE WHEN id IN ids THEN ids ELSE ids + id END) AS wanted
UNWIND wanted AS id
MATCH (:Neuron {load: load.id, id: id})<-[:OF_NEURON]-(g:GraphNode)<-[:HAS_NODE]-(c:Class)
WITH c, size(wanted) AS size, count(*) AS found, sum(g.pagerank) AS mass
WHERE found = size
  AND all(e IN $edges WHERE EXISTS {
        MATCH (c)-[:HAS_NODE]->(:GraphNode {neuron: e[0]})-[:GRAPH_EDGE]->(:GraphNode {neuron: e[1]}) })
RETURN c.index AS class, c.name AS name, mass
ORDER BY mass DESC, class
LIMIT $limit;
