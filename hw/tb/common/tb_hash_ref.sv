// tb_hash_ref: the benches' own reference of the card's hashes (docs/card-semantics.md, "Hash functions"),
// bit-serial from the definition, independently of nitro_crc's XOR matrix.
package tb_hash_ref;

  localparam logic [31:0] CRC32C = 32'h82F63B78;  // reflected Castagnoli: way 0 buckets, flow hashes
  localparam logic [31:0] CRC32  = 32'hEDB88320;  // reflected IEEE: way 1 buckets

  // The CRC (init and final XOR all ones) of the first n bytes of msg, msg's most significant byte first.
  function automatic logic [31:0] crc(input logic [103:0] msg, input int n, input logic [31:0] poly);
    logic [31:0] c;
    c = 32'hFFFF_FFFF;
    for (int i = 0; i < n; i++) begin
      c = c ^ {24'h0, msg[8*(n-1-i) +: 8]};
      for (int b = 0; b < 8; b++) c = (c >> 1) ^ (poly & {32{c[0]}});
    end
    crc = ~c;
  endfunction

endpackage
