namespace MLComponents;

/// <summary>How EmbedTokens joins a token's vector e (width D) with its position's encoding.</summary>
/// <remarks>
/// Which combinations let a LINEAR model on the pooled vector see word order:
/// <list type="table">
/// <listheader><term>combine</term><description>Mean / Max / First pooling</description></listheader>
/// <item><term>Add</term><description>Mean: no (mean of e + mean of p, and mean of p is the same for every row of a length).
/// Max: partly (the max of e + p per dim depends on where tokens sit). First: only the first token.</description></item>
/// <item><term>Concat</term><description>Mean and Max: no (the position half is a function of T alone). First: only the first token.</description></item>
/// <item><term>Rotate</term><description>Mean: yes, the mean of R(t) e(id_t) makes every score a sum of per-(token, position)
/// terms, so "which marker comes first" is linear in it. Max: yes (non-linearly). First: only the first token (position 0 is unrotated).</description></item>
/// </list>
/// Hence the defaults Rotate + Mean.
/// </remarks>
public enum EmbedCombine
{
    /// <summary>x_t = e(id_t) + p(t) (absolute schemes of width D: sinusoidal with Add, learned).</summary>
    Add,

    /// <summary>x_t = [e(id_t), p(t)]: width D + w (absolute schemes: sinusoidal, learned).</summary>
    Concat,

    /// <summary>x_t = R(t) e(id_t): each pair of dims turned by the position's angles (RoPE, xPos with its scale, sinusoidal with Add).</summary>
    Rotate,
}
