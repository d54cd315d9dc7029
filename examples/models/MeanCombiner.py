"""A Seldon COMBINER: the element-wise mean of its children's outputs (an ensemble)."""
import numpy as np


class MeanCombiner:
    def aggregate(self, features_list, feature_names_list):
        return np.mean([np.asarray(x, dtype=float) for x in features_list], axis=0)
