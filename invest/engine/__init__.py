"""The computation: the plan as arrays, the object grid (tranches, avskrivning, medfinansiering, ränta), the region model, a change on top of a baseline."""
