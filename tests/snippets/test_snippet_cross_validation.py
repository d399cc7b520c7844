"""k-fold cross-validation: the validation folds partition the data, and the model of each
round never sees its validation fold."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from snippets.cross_validation import cross_val_scores, k_fold_indices


@given(st.integers(2, 200).flatmap(lambda n: st.tuples(st.just(n), st.integers(2, n))), st.booleans())
def test_validation_folds_partition_the_data_and_train_is_the_rest(n_and_k, shuffle):
    n, k = n_and_k
    folds = k_fold_indices(n, k, shuffle=shuffle)
    assert len(folds) == k
    validation = np.concatenate([val for _, val in folds])
    assert sorted(validation.tolist()) == list(range(n))
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        assert not set(train.tolist()) & set(val.tolist())
        assert len(train) + len(val) == n


@pytest.mark.parametrize("k", [1, 11])
def test_k_must_be_between_two_and_the_number_of_samples(k):
    with pytest.raises(ValueError, match="k must be between"):
        k_fold_indices(10, k)


def test_each_round_fits_on_the_train_part_and_scores_on_its_validation_fold():
    x, y = np.arange(20.0), np.arange(20.0) * 2
    seen = []

    def fit(xs, ys):
        seen.append(set(xs.tolist()))
        return ys.mean()

    scores = cross_val_scores(fit, lambda model, xs, ys: len(xs), x, y, k=4)
    np.testing.assert_array_equal(scores, [5, 5, 5, 5])
    for (_, val), train_seen in zip(k_fold_indices(20, 4), seen, strict=True):
        assert not train_seen & set(val.tolist()) and len(train_seen) == 15
