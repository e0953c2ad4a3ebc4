"""The investment plan as records: objects, co-financing, components, beroenden, region inputs; its vocabulary, its checks and its dependency graph."""
