/**
 * Pekko Cluster for Cramjet: the settings a trainer node and a data worker share ({@link ClusterNode}), and the
 * worker's guardian ({@link DataWorker}), which registers loaders with the Receptionist for the trainer to find.
 */
package dev.cramjet.actors.cluster;
