// nitro_ipv4_check: the IPv4 header checks shared by TX (spec TX IPv4 1-4) and RX (outer
// header, spec RX 2; inner header, spec RX 8), in spec order, first failure decides:
// frame shorter than 34 bytes, version != 4 or IHL < 5 -> malformed; IHL > 5 (options) ->
// unsupported; header checksum does not verify (10-word one's-complement sum) -> malformed;
// total length < 20 or 14 + total length > frame length -> malformed. Combinational.
module nitro_ipv4_check (
  input  logic [159:0] ip,          // IPv4 header bytes 0..19 (byte k in bits [8k+7:8k])
  input  logic [16:0]  frame_len,   // length of the Ethernet frame carrying it at byte 14
  output logic         bad,         // a check failed
  output logic         unsupported  // ... and the reason is `unsupported` (else `malformed`)
);

  logic [3:0]  ver, ihl;
  logic [15:0] tl;
  logic [19:0] sum;
  logic [16:0] f1;
  logic [15:0] f2;

  assign ver = ip[7:4];
  assign ihl = ip[3:0];
  assign tl  = {ip[23:16], ip[31:24]};

  always_comb begin
    sum = '0;
    for (int w = 0; w < 10; w++) sum = sum + 20'({ip[16*w +: 8], ip[16*w+8 +: 8]});
    f1 = 17'(sum[15:0]) + 17'(sum[19:16]);
    f2 = f1[15:0] + 16'(f1[16]);
  end

  always_comb begin
    bad         = 1'b1;
    unsupported = 1'b0;
    if (frame_len < 17'd34 || ver != 4'd4 || ihl < 4'd5) ;
    else if (ihl > 4'd5)                                    unsupported = 1'b1;
    else if (f2 != 16'hFFFF)                                ;
    else if (tl < 16'd20 || 17'(tl) + 17'd14 > frame_len)   ;
    else                                                    bad = 1'b0;
  end

endmodule
