//! The node-side command `/usr/sbin/SITE-storage`, assembled from the layers' shell files.
