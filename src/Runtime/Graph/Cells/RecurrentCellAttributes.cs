namespace EdgeRnn.Runtime.Graph;

/// <summary>The attributes of a recurrent node that only some cells read (see <see cref="RecurrentCell.ReadAttributes"/>).</summary>
/// <param name="LinearBeforeReset">GRU: <c>linear_before_reset</c> = 1 (R_h h + Rb_h before the reset gate, the PyTorch form).</param>
internal readonly record struct RecurrentCellAttributes(bool LinearBeforeReset);
