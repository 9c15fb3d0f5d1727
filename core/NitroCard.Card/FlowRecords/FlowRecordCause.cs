namespace NitroCard.Card.FlowRecords;

/// <summary>Why the card emitted a flow record (docs/card-flow-records.md).</summary>
public enum FlowRecordCause : byte
{
    /// <summary>The flow's tracking entry stopped being live (idle past its timeout) with packets not yet recorded.</summary>
    Expired = 1,

    /// <summary>The flow's first unrecorded packet is as old as the slot's aggregation interval; its counts restart.</summary>
    Interval = 2,

    /// <summary>One packet the security groups or a network ACL dropped.</summary>
    Rejected = 3,
}
