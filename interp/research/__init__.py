"""The research side of InterpAny-Clearer: distance indexing, training and evaluation of the T / D / TR / DR variants.

Modules (each with one job; importing any of them does no work):

* ``vimeo``: the Vimeo-90K septuplet layout (official ``sequences/`` + list files, or a flat folder of septuplets);
* ``distance_index``: the distance-index math (pure functions) and the official file naming;
* ``flow``: optical flow for the index (OpenCV DIS without weights, torchvision RAFT-large with them);
* ``indexer``: writing every ``dis_index_{i}_{j}_{k}.npy`` of a dataset, resumable, in worker processes;
* ``groundtruth``: synthetic septuplets with exact distance indices, to measure a flow method's error;
* ``maps``: resizing, clipping and blurring stored maps for training and evaluation (one place for both);
* ``recipe``, ``augment``, ``dataset``: what a training sample is, per variant, after the reference recipe;
* ``losses``, ``schedule``, ``checkpoint``, ``train``: the training loop and its parts;
* ``lpips``: the LPIPS metric when its weights are present.
"""
