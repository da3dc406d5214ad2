// Suggested groups (supernodes): per layer, neurons whose edges across all class graphs are
// alike (computed by `summit graphs`), best first. GraphQL: Model.suggestedGroups.
:param model => 'efficientnet_lite0-demo';

MATCH (:Model {id: $model})-[:ACTIVE_LOAD]->(load:Load)
MATCH (g:SuggestedGroup {load: load.id})<-[:IN_GROUP]-(n:Neuron)
WITH g, n ORDER BY n.channel
RETURN g.group AS group, g.layer AS layer, g.cohesion AS cohesion, collect(n.id) AS neurons
ORDER BY group;
