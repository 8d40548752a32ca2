"""Resuming a fold from its newest complete checkpoint; pruning."""
import torch

from mmaction_tsfmicro.loso.checkpoints import (find_resume_checkpoint,
                                                prune_checkpoints)


def test_resume_checkpoint_skips_a_checkpoint_cut_short(tmp_path):
    for epoch in (1, 2):
        torch.save(
            dict(meta=dict(epoch=epoch)), tmp_path / f'epoch_{epoch}.pth')
    full = (tmp_path / 'epoch_2.pth').read_bytes()
    (tmp_path / 'epoch_3.pth').write_bytes(full[:len(full) // 2])
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_2.pth'))
    assert find_resume_checkpoint(str(tmp_path)) == str(tmp_path /
                                                        'epoch_2.pth')
    assert not (tmp_path / 'epoch_3.pth').exists()
    prune_checkpoints(str(tmp_path), 'epoch_2.pth')
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['epoch_2.pth']
    prune_checkpoints(str(tmp_path), None)
    assert list(tmp_path.glob('*.pth')) == []


def test_no_complete_checkpoint_means_a_fresh_start(tmp_path):
    assert find_resume_checkpoint(str(tmp_path)) is None
    (tmp_path / 'epoch_1.pth').write_bytes(b'PK\x03\x04 cut')
    assert find_resume_checkpoint(str(tmp_path)) is None
    assert not (tmp_path / 'epoch_1.pth').exists()
