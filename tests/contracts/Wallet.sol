// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Wallet, a minimal smart-contract wallet
/// @notice Used by txdiag's tests as a recipient that is a contract, not an
/// EOA. The deployer owns it; only the owner can make it call out.
contract Wallet {
    error NotOwner(address caller);

    event Received(address indexed from, uint256 value);
    event Executed(address indexed target, uint256 value, bytes data);

    address public immutable owner;

    constructor() {
        owner = msg.sender;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) {
            revert NotOwner(msg.sender);
        }
        _;
    }

    receive() external payable {
        emit Received(msg.sender, msg.value);
    }

    /// @dev Bubbles the callee's revert data unchanged, so the innermost
    /// failing frame's reason reaches the transaction's top level.
    function execute(address target, uint256 value, bytes calldata data)
        external
        onlyOwner
        returns (bytes memory result)
    {
        bool ok;
        (ok, result) = target.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(result, 0x20), mload(result))
            }
        }
        emit Executed(target, value, data);
    }
}
