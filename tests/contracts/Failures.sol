// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Stardust} from "./Stardust.sol";

/// @title Failures: one external function per way a transaction can fail
/// @notice Each function fails in a real transaction (send it with an explicit
/// gas limit so estimation does not refuse it). Every function first writes
/// storage, so none is view or pure and all are plain transactions; a revert
/// undoes the write.
contract Failures {
    error InsufficientFunds(address account, uint256 available, uint256 required);

    enum Tier {
        Bronze,
        Silver,
        Gold
    }

    event Succeeded(address indexed caller);
    event InnerCallFailed(uint256 revertDataLength);

    uint256 public calls;
    uint256 private _zero;
    uint256[] private _items;
    mapping(uint256 slot => uint256) private _sink;
    // Never assigned: calling it is Panic(0x51).
    function() internal _unsetFn;

    /// @notice Succeeds; a control case next to the failures.
    function succeed() external {
        calls += 1;
        emit Succeeded(msg.sender);
    }

    /// @notice Error(string).
    function failString() external {
        calls += 1;
        revert("Stardust: nothing to claim");
    }

    /// @notice InsufficientFunds(msg.sender, 0, a).
    function failCustom(uint256 a) external {
        calls += 1;
        revert InsufficientFunds(msg.sender, 0, a);
    }

    /// @notice revert() with no data at all.
    function failEmpty() external {
        calls += 1;
        revert();
    }

    /// @notice Panic(0x01).
    function panicAssert() external {
        calls += 1;
        assert(_zero == 1);
    }

    /// @notice Panic(0x11).
    function panicOverflow() external {
        calls += 1;
        uint256 x = type(uint256).max;
        x += block.number; // block.number >= 1 in any mined transaction
        _sink[0] = x;
    }

    /// @notice Panic(0x12).
    function panicDivZero() external {
        calls += 1;
        _sink[0] = calls / _zero;
    }

    /// @notice Panic(0x21).
    function panicEnum() external {
        calls += 1;
        Tier t = Tier(calls + 10);
        _sink[0] = uint256(t);
    }

    /// @notice Panic(0x31).
    function panicPop() external {
        calls += 1;
        _items.pop();
    }

    /// @notice Panic(0x32).
    function panicIndex() external {
        calls += 1;
        uint256[] memory a = new uint256[](1);
        _sink[0] = a[calls + 1];
    }

    /// @notice Panic(0x41): a memory array too large to allocate.
    function panicMemory() external {
        calls += 1;
        uint256[] memory a = new uint256[](uint256(type(uint64).max) + calls);
        _sink[0] = a.length;
    }

    /// @notice Panic(0x51).
    function panicZeroFn() external {
        calls += 1;
        _unsetFn();
    }

    /// @notice Runs out of gas whatever the gas limit: writes storage forever.
    function outOfGas() external {
        calls += 1;
        _burn();
    }

    /// @notice The INVALID opcode (0xfe): consumes all gas, no revert data.
    function invalidOpcode() external {
        calls += 1;
        assembly {
            invalid()
        }
    }

    /// @notice Inner frame runs out of gas, the transaction succeeds.
    function innerOutOfGasCaught() external {
        calls += 1;
        try this.burnGas{gas: 50_000}() {
            revert("unreachable");
        } catch (bytes memory reason) {
            emit InnerCallFailed(reason.length);
        }
    }

    /// @notice Inner frame runs out of gas, then the outer frame fails too,
    /// with empty revert data.
    function innerOutOfGasBubbled() external {
        calls += 1;
        try this.burnGas{gas: 50_000}() {
            revert("unreachable");
        } catch {
            revert();
        }
    }

    /// @notice Calls token.transfer from this contract and bubbles the token's
    /// revert data unchanged: the innermost failing frame is the token.
    /// With no balance here this is ERC20InsufficientBalance(this, 0, value).
    function failNestedToken(Stardust token, address to, uint256 value) external {
        calls += 1;
        (bool ok, bytes memory data) = address(token).call(abi.encodeCall(Stardust.transfer, (to, value)));
        if (!ok) {
            assembly {
                revert(add(data, 0x20), mload(data))
            }
        }
    }

    /// @notice Target of the inner calls above; only useful with a gas cap.
    function burnGas() external {
        _burn();
    }

    function _burn() private {
        for (uint256 i = 0; i < type(uint256).max; ++i) {
            _sink[i] = i + 1;
        }
    }
}
